export default defineBackground(() => {
  console.log('CTI Pop background');
});
